(window.sitegenFinder = window.sitegenFinder || {})["9"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["0"] =
[];

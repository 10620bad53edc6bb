(window.sitegenFinder = window.sitegenFinder || {})["y"] =
[];

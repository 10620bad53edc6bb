(window.sitegenFinder = window.sitegenFinder || {})["i"] =
[];

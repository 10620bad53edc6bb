(window.sitegenFinder = window.sitegenFinder || {})["1"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["2"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["f"] =
[];

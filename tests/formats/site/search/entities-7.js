(window.sitegenFinder = window.sitegenFinder || {})["7"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["d"] =
[];

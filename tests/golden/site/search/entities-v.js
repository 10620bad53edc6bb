(window.sitegenFinder = window.sitegenFinder || {})["v"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["c"] =
[];

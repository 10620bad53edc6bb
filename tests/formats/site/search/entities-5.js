(window.sitegenFinder = window.sitegenFinder || {})["5"] =
[];

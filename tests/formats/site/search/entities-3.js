(window.sitegenFinder = window.sitegenFinder || {})["3"] =
[];

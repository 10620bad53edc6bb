(window.sitegenFinder = window.sitegenFinder || {})["x"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["b"] =
[];

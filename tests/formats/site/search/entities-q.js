(window.sitegenFinder = window.sitegenFinder || {})["q"] =
[];

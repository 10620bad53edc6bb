(window.sitegenFinder = window.sitegenFinder || {})["h"] =
[];

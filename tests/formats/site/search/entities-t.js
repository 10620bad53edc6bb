(window.sitegenFinder = window.sitegenFinder || {})["t"] =
[];

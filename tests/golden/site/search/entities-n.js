(window.sitegenFinder = window.sitegenFinder || {})["n"] =
[];

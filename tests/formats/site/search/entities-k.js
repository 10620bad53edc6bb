(window.sitegenFinder = window.sitegenFinder || {})["k"] =
[];

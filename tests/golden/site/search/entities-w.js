(window.sitegenFinder = window.sitegenFinder || {})["w"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["j"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["6"] =
[];

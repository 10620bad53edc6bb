(window.sitegenFinder = window.sitegenFinder || {})["4"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["_"] =
[];

(window.sitegenFinder = window.sitegenFinder || {})["z"] =
[];

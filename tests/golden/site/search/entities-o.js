(window.sitegenFinder = window.sitegenFinder || {})["o"] =
[];

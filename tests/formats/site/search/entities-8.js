(window.sitegenFinder = window.sitegenFinder || {})["8"] =
[];

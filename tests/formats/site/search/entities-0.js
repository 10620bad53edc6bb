(window.sitegenFinder = window.sitegenFinder || {})["0"] =
[["LIMA-0001","doc","doc/news/lima-0001.html",0,[],"Garcia in Lima"]];

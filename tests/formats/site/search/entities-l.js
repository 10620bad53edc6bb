(window.sitegenFinder = window.sitegenFinder || {})["l"] =
[["Lima","loc","entity/loc/lima.html",2],["Lula","per","entities/per.html#e-lula",1],["LIMA-0001","doc","doc/news/lima-0001.html",0,[],"Garcia in Lima"]];

(window.sitegenFinder = window.sitegenFinder || {})["0"] =
[["09LIMA1669","doc","doc/09lima1669.html",0,[],"SCENESETTER FOR THE COMMANDER"],["09QUITO160","doc","doc/09quito160.html",0,[],"ECUADOR AND PERU TALK BORDERS"]];

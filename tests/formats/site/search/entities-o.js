(window.sitegenFinder = window.sitegenFinder || {})["o"] =
[["Ollanta Humala","per","entities/per.html#e-ollanta-humala",1]];

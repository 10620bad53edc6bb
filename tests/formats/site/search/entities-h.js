(window.sitegenFinder = window.sitegenFinder || {})["h"] =
[["Hugo Chavez","per","entities/per.html#e-hugo-chavez",1],["Ollanta Humala","per","entities/per.html#e-ollanta-humala",1]];

-- Reserved: another branch (bigdb) adds its own 0008 in this session; this empty placeholder
-- only keeps the numbers without a gap on the console branch until the two are merged, when
-- the other branch's 0008 replaces it.
SELECT 1;

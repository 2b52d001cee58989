"""Risk screening's pages: officers screen declaration lines (views, batch_views); holders see
how often their recordations were hit (holder_views)."""

"""Each surface's error envelope (its `ENVELOPE`, its `SURFACE` and their wording), apart from the
surface's views: rendering an error needs only `gatehouse.errors`, so what renders nothing but
errors (FallbackFunction) imports no contracts, services or data layer. The surfaces' modules
(`gatehouse.surfaces.<name>`) import their envelope from here."""

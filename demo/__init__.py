"""The top floor: the demo data and the generated districts. It may import every app and
nothing imports it."""

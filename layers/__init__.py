"""garrison's layers: WHO and WHEN -- control over time, maps, exports, news ingestion.

Import the parts you need (``layers.dataset``, ``layers.timeline``, ``layers.frames``,
``layers.maps``, ``layers.export``, ``layers.ingest``); nothing heavy loads here.
"""

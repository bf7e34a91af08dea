"""DRF plumbing: parsing, strict input types, output serializers, content negotiation,
pagination, filters and the OpenAPI helpers."""

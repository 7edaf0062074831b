"""The FAIR principles the quality score is grouped by, as the seed's "FAIR Evaluation" names
them."""

from __future__ import annotations

PRINCIPLES: dict[str, tuple[str, str]] = {
    "F1": ("Findable", "(Meta)data are assigned a globally unique and persistent identifier"),
    "F2": ("Findable", "Data are described with rich metadata"),
    "F3": ("Findable", "Metadata clearly and explicitly include the identifier of the data "
                       "they describe"),
    "F4": ("Findable", "(Meta)data are registered or indexed in a searchable resource"),
    "A1": ("Accessible", "(Meta)data are retrievable by their identifier using a standardised "
                         "communications protocol"),
    "A1.2": ("Accessible", "The protocol allows for an authentication and authorisation "
                           "procedure, where necessary"),
    "A2": ("Accessible", "Metadata are accessible, even when the data are no longer available"),
    "I1": ("Interoperable", "(Meta)data use a formal, accessible, shared and broadly applicable "
                            "language for knowledge representation"),
    "I2": ("Interoperable", "(Meta)data use vocabularies that follow FAIR principles"),
    "I3": ("Interoperable", "(Meta)data include qualified references to other (meta)data"),
    "R1": ("Reusable", "(Meta)data are richly described with a plurality of accurate and "
                       "relevant attributes"),
    "R1.1": ("Reusable", "(Meta)data are released with a clear and accessible data usage "
                         "licence"),
    "R1.2": ("Reusable", "(Meta)data are associated with detailed provenance"),
    "R1.3": ("Reusable", "(Meta)data meet domain-relevant community standards"),
}

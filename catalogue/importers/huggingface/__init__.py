"""Import a Hugging Face model or dataset card into the catalogue, for review.

The card (``README.md`` with YAML front matter) is parsed once by the catalogue's card parser
(``catalogue.model.card``: the Hub's front-matter rule, the line-aware YAML reader), so that a
malformed card is refused with the file, the line and what was expected; its metadata is then
read with huggingface_hub's card classes (``ModelCard`` / ``DatasetCard`` and their
``ModelCardData`` / ``DatasetCardData``).

What maps to the record:

* ``license`` -> ``license`` as an SPDX id (Hugging Face writes ``apache-2.0`` for
  ``Apache-2.0``; licences outside the SPDX list become ``LicenseRef-<name>``);
* ``tags`` (minus the Hub's technical tags), ``task_categories`` -> ``subjects``;
* ``pipeline_tag`` -> ``task`` and ``model_type``; ``library_name`` -> ``framework``;
* ``base_model`` and ``datasets`` -> ``base_model`` and ``training_datasets`` when the catalogue
  holds a record whose artefacts live in that Hub repository (otherwise named in the notes);
* ``model-index`` -> ``evaluations``;
* ``dataset_info`` -> ``num_records``, ``splits`` and ``columns``;
* ``co2_eq_emissions`` stays in the card's front matter, in Hugging Face's form with the figure
  in grams (a bare number, or text with a unit such as ``1.2 kg``, is converted), where the
  catalogue's carbon report reads it as the *reported* training emissions;
* the card's sections (uses, out-of-scope use, limitations) -> ``intended_use``,
  ``out_of_scope_use``, ``limitations``; the first paragraph -> ``description``.

The card is read as structure: the front matter by the catalogue's card parser and
huggingface_hub's card data classes, the Markdown by Python-Markdown
(``catalogue.model.card_prose``), so HTML comments, code blocks and template filler ("[More
Information Needed]", the template's stock sentences) are never taken for text, and identifiers
keep their underscores. The name comes from ``model_name`` (or ``pretty_name``), a title that
is not a template's heading, the model-index or the repository id; the slug from the repository
id first, made unique. model-index results keep their own metric names, dataset and task; the
results of another model (a baseline) are left out and named in the notes.

What the card cannot say (who in the catalogue made it, the organisation, the files with their
checksums) is left as ``<FILL ...>`` placeholders or listed in the notes; a model card gets the
sections the catalogue's cards cover appended when missing, derived where the card's metadata
allows (licence, how to run a ``transformers`` model) and placeholders otherwise. Nothing is
written over an existing record unless asked.

One module per job: ``source`` reads the card (from a file or the Hub) with the catalogue's
card parser, ``card_text`` takes text out of it and completes a model card, ``licence_mapping``,
``co2_conversion``, ``model_mapping`` and ``dataset_mapping`` map the metadata, and ``importer``
puts it together and writes the result.
"""

from __future__ import annotations

from catalogue.importers.huggingface.co2_conversion import convert_co2
from catalogue.importers.huggingface.dataset_mapping import DATASET_FORMATS
from catalogue.importers.huggingface.importer import import_card
from catalogue.importers.huggingface.licence_mapping import spdx_license
from catalogue.importers.huggingface.model_mapping import FRAMEWORKS, MODEL_TYPES
from catalogue.importers.huggingface.source import HfImportError, read_source

__all__ = ["DATASET_FORMATS", "FRAMEWORKS", "MODEL_TYPES", "HfImportError", "convert_co2",
           "import_card", "read_source", "spdx_license"]

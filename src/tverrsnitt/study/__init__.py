"""Study definition: load and validate the YAML folder into frozen objects."""

from .load import load_study
from .model import Figure, Question, Study

__all__ = ["Figure", "Question", "Study", "load_study"]

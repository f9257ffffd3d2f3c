"""Report: tables + figures + prose -> a finished report as HTML, Word (DOCX) and PDF."""

from .html import render_html, write_html
from .quality import DataQuality, FileQuality

__all__ = ["DataQuality", "FileQuality", "render_html", "write_html"]

"""Print: QR codes and posters (PDF)."""

"""Every word users read, in Chinese and English: labels, descriptions of conditions and amounts, tables. Imports
the layers below."""

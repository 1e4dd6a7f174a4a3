"""What people see: the front page, the API docs' assets, the embeddable widget and its demo.

Templates are in ``templates/`` (the app's template folder), static files in ``static/``.
"""

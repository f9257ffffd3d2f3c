"""Fieldwork: the web questionnaire, personal links, invitations, reminders, admin pages."""

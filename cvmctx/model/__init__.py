"""The typed model of user data: one section class per plugin, the context, plugin selection and
the cross-section rules, loading and rendering. Imports guest, diagnostics, limits, templating."""

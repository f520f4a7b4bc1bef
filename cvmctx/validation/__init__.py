"""The validate pipeline: peel layers (CD, context.sh, base64, gzip), judge the text, redact
secrets before anything is reported. Imports cd.image/cd.scripts, model, guest, bottom modules."""

"""The context CD: the image (the one pycdlib importer), its scripts, making a CD from a build,
and the libvirt XML that attaches it. Imports userdata, model, guest and the bottom modules."""

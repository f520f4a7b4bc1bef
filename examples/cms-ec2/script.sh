echo Done > /tmp/done

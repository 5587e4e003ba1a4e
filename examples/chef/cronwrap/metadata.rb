name 'cronwrap'
description 'Installs cronwrap and runs cron jobs through it'
version '0.1.0'
chef_version '>= 16'

# tray

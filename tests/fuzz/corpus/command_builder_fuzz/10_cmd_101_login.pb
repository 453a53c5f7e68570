
e{"account":"123456"}
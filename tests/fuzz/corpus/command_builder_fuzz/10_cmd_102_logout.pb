
f{"account":"123456"}
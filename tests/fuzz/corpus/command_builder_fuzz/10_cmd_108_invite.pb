
lV{"account":"juxiaoxiong","groupId":"7028736757@chatroom","wxId":"wxid_3xl8j2suau8b22"}